"""Code used by two or more format families: the :class:`~.record.Format` record,
HDF5 row and chunk I/O, exact float text for CSV, small text helpers.

Nothing here imports a family.
"""
