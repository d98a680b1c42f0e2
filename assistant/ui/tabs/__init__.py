"""One module per tab: its layout (a small dataclass of components), callbacks and handlers.

``build()`` lays a tab out, ``wire(...)`` attaches its callbacks, ``restore(...)`` gives what
it shows after a reload; the handlers are plain functions on the ``AppContext`` and the
user's ``Dossier``, which the tests call.
"""
