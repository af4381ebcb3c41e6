/// The Python 3 names that Python 2 spelled differently, for writing protocols 0 to 2 with
/// ``PicklerOptions/fixPython2Imports``: the facts of CPython 3.11's `_compat_pickle` reverse tables.
enum PythonTwoNames {
    /// Renamed globals, keyed by `module + "\n" + name`, checked first.
    static let renamedGlobals: [String: (String, String)] = {
        var table: [String: (String, String)] = [:]
        // Python 3 builtin exceptions that Python 2 had in `exceptions` under the same name.
        let sameNames = [
            "ArithmeticError", "AssertionError", "AttributeError", "BaseException", "BufferError", "BytesWarning",
            "DeprecationWarning", "EOFError", "EnvironmentError", "Exception", "FloatingPointError", "FutureWarning",
            "GeneratorExit", "IOError", "ImportError", "ImportWarning", "IndentationError", "IndexError", "KeyError",
            "KeyboardInterrupt", "LookupError", "MemoryError", "NameError", "NotImplementedError", "OSError",
            "OverflowError", "PendingDeprecationWarning", "ReferenceError", "RuntimeError", "RuntimeWarning",
            "StopIteration", "SyntaxError", "SyntaxWarning", "SystemError", "SystemExit", "TabError", "TypeError",
            "UnboundLocalError", "UnicodeDecodeError", "UnicodeEncodeError", "UnicodeError", "UnicodeTranslateError",
            "UnicodeWarning", "UserWarning", "ValueError", "Warning", "ZeroDivisionError",
        ]
        for name in sameNames { table["builtins\n" + name] = ("exceptions", name) }
        // Python 3 exceptions that Python 2 knew only as `exceptions.ImportError`.
        let importErrorNames = [
            "ModuleNotFoundError"
        ]
        for name in importErrorNames { table["builtins\n" + name] = ("exceptions", "ImportError") }
        // Python 3 exceptions that Python 2 knew only as `exceptions.OSError`.
        let osErrorNames = [
            "BrokenPipeError", "ChildProcessError", "ConnectionAbortedError", "ConnectionError",
            "ConnectionRefusedError", "ConnectionResetError", "FileExistsError", "FileNotFoundError",
            "InterruptedError", "IsADirectoryError", "NotADirectoryError", "PermissionError", "ProcessLookupError",
            "TimeoutError",
        ]
        for name in osErrorNames { table["builtins\n" + name] = ("exceptions", "OSError") }
        let renamed: [(String, String, String, String)] = [
            ("_functools", "reduce", "__builtin__", "reduce"),
            ("_socket", "socket", "socket", "_socketobject"),
            ("builtins", "chr", "__builtin__", "unichr"),
            ("builtins", "filter", "itertools", "ifilter"),
            ("builtins", "int", "__builtin__", "long"),
            ("builtins", "map", "itertools", "imap"),
            ("builtins", "range", "__builtin__", "xrange"),
            ("builtins", "str", "__builtin__", "unicode"),
            ("builtins", "zip", "itertools", "izip"),
            ("collections", "UserDict", "UserDict", "IterableUserDict"),
            ("collections", "UserList", "UserList", "UserList"),
            ("collections", "UserString", "UserString", "UserString"),
            ("dbm", "whichdb", "whichdb", "whichdb"),
            ("functools", "reduce", "__builtin__", "reduce"),
            ("http.server", "CGIHTTPRequestHandler", "CGIHTTPServer", "CGIHTTPRequestHandler"),
            ("http.server", "SimpleHTTPRequestHandler", "SimpleHTTPServer", "SimpleHTTPRequestHandler"),
            ("itertools", "filterfalse", "itertools", "ifilterfalse"),
            ("itertools", "zip_longest", "itertools", "izip_longest"),
            ("multiprocessing.connection", "Connection", "_multiprocessing", "Connection"),
            ("multiprocessing.context", "AuthenticationError", "multiprocessing", "AuthenticationError"),
            ("multiprocessing.context", "BufferTooShort", "multiprocessing", "BufferTooShort"),
            ("multiprocessing.context", "Process", "multiprocessing.process", "Process"),
            ("multiprocessing.context", "ProcessError", "multiprocessing", "ProcessError"),
            ("multiprocessing.context", "TimeoutError", "multiprocessing", "TimeoutError"),
            ("multiprocessing.popen_fork", "Popen", "multiprocessing.forking", "Popen"),
            ("socket", "fromfd", "_socket", "fromfd"),
            ("sys", "intern", "__builtin__", "intern"),
            ("tkinter.filedialog", "FileDialog", "FileDialog", "FileDialog"),
            ("tkinter.filedialog", "LoadFileDialog", "FileDialog", "LoadFileDialog"),
            ("tkinter.filedialog", "SaveFileDialog", "FileDialog", "SaveFileDialog"),
            ("tkinter.simpledialog", "SimpleDialog", "SimpleDialog", "SimpleDialog"),
            ("urllib.error", "ContentTooShortError", "urllib", "ContentTooShortError"),
            ("urllib.error", "HTTPError", "urllib2", "HTTPError"),
            ("urllib.error", "URLError", "urllib2", "URLError"),
            ("urllib.parse", "quote", "urllib", "quote"),
            ("urllib.parse", "quote_plus", "urllib", "quote_plus"),
            ("urllib.parse", "unquote", "urllib", "unquote"),
            ("urllib.parse", "unquote_plus", "urllib", "unquote_plus"),
            ("urllib.parse", "urlencode", "urllib", "urlencode"),
            ("urllib.request", "getproxies", "urllib", "getproxies"),
            ("urllib.request", "pathname2url", "urllib", "pathname2url"),
            ("urllib.request", "url2pathname", "urllib", "url2pathname"),
            ("urllib.request", "urlcleanup", "urllib", "urlcleanup"),
            ("urllib.request", "urlopen", "urllib", "urlopen"),
            ("urllib.request", "urlretrieve", "urllib", "urlretrieve"),
            ("xmlrpc.server", "DocCGIXMLRPCRequestHandler", "DocXMLRPCServer", "DocCGIXMLRPCRequestHandler"),
            ("xmlrpc.server", "DocXMLRPCRequestHandler", "DocXMLRPCServer", "DocXMLRPCRequestHandler"),
            ("xmlrpc.server", "DocXMLRPCServer", "DocXMLRPCServer", "DocXMLRPCServer"),
            ("xmlrpc.server", "ServerHTMLDoc", "DocXMLRPCServer", "ServerHTMLDoc"),
            ("xmlrpc.server", "XMLRPCDocGenerator", "DocXMLRPCServer", "XMLRPCDocGenerator"),
        ]
        for (module, name, oldModule, oldName) in renamed { table[module + "\n" + name] = (oldModule, oldName) }
        return table
    }()

    /// Renamed modules, for globals not in ``renamedGlobals``.
    static let renamedModules: [String: String] = [
        "_bz2": "bz2",
        "_dbm": "dbm",
        "_dummy_thread": "dummy_thread",
        "_functools": "functools",
        "_gdbm": "gdbm",
        "_markupbase": "markupbase",
        "_pickle": "pickle",
        "_thread": "thread",
        "builtins": "__builtin__",
        "collections.abc": "_abcoll",
        "configparser": "ConfigParser",
        "copyreg": "copy_reg",
        "dbm": "anydbm",
        "dbm.bsd": "dbhash",
        "dbm.dumb": "dumbdbm",
        "dbm.gnu": "gdbm",
        "dbm.ndbm": "dbm",
        "html.entities": "htmlentitydefs",
        "html.parser": "HTMLParser",
        "http.client": "httplib",
        "http.cookiejar": "cookielib",
        "http.cookies": "Cookie",
        "http.server": "BaseHTTPServer",
        "queue": "Queue",
        "reprlib": "repr",
        "socketserver": "SocketServer",
        "subprocess": "commands",
        "test.support": "test.test_support",
        "tkinter": "Tkinter",
        "tkinter.colorchooser": "tkColorChooser",
        "tkinter.commondialog": "tkCommonDialog",
        "tkinter.constants": "Tkconstants",
        "tkinter.dialog": "Dialog",
        "tkinter.dnd": "Tkdnd",
        "tkinter.filedialog": "tkFileDialog",
        "tkinter.font": "tkFont",
        "tkinter.messagebox": "tkMessageBox",
        "tkinter.scrolledtext": "ScrolledText",
        "tkinter.simpledialog": "tkSimpleDialog",
        "tkinter.tix": "Tix",
        "tkinter.ttk": "ttk",
        "urllib.parse": "urlparse",
        "urllib.request": "urllib2",
        "urllib.robotparser": "robotparser",
        "winreg": "_winreg",
        "xmlrpc.client": "xmlrpclib",
        "xmlrpc.server": "SimpleXMLRPCServer",
    ]
}
