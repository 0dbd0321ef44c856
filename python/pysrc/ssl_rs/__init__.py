"""CPython's ``_ssl`` over this project's TLS backends.

Installing the wheel puts ``ssl_rs.pth`` in site-packages; it places this
package's directory first on ``sys.path``, so ``import ssl`` loads the
``_ssl`` here instead of the interpreter's own (``_ssl._BACKEND`` names the
TLS library it was built over). The module is imported only as ``_ssl``:
an extension module is initialised once per process.
"""
