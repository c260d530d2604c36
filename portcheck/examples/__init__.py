"""Faithful NumPy ports of the bundled Octave references, and the catalogue.

One module per assignment (``ex2``, ``ex3``, ``ex4``, ``ex5``, ``ex7``,
``ex8``, ``ufldl``, ``cs231n``), each a careful port with the reference's
argument order, and :mod:`portcheck.examples.broken`, the gallery of ports
carrying the classic mistakes. Each module lists its catalogue entries in
``CASES`` (and the gallery modules in ``GALLERY``).
"""
