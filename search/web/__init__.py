"""The search page: ``vnsearch serve`` (``server``, ``app``) and ``vnsearch show`` (``show``).

``views`` turns the library's records into what the page shows (marked text,
facets, the timeline); ``app`` is the Starlette application over one
long-lived ``search.api.Index``; ``server`` binds the socket and runs uvicorn.
Nothing here is imported by the other commands: ``search.cli`` imports these
modules inside ``serve`` and ``show`` only.
"""
