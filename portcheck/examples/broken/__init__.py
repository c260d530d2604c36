"""Gallery of broken ports: each carries one classic porting mistake.

Every port's docstring names the mistake and the fix; :data:`GALLERY` lists
them with the finding kinds portcheck is expected to report.
"""
