/// Where Python 3 keeps the modules and globals that Python 2 pickles name.
///
/// Python 2 and Python 3 name some modules and globals differently (`__builtin__` is `builtins`,
/// `copy_reg` is `copyreg`, `xrange` is `range`). CPython's unpickler maps the old names when
/// `fix_imports` is on and the pickle's protocol is below 3; this table holds the same facts (from
/// CPython's `_compat_pickle` module): renamed globals first, then renamed modules.
enum Python2Names {
    /// The Python 3 name of a Python 2 global, or `nil` when neither it nor its module was renamed.
    static func python3Name(of global: PickleGlobal) -> PickleGlobal? {
        if let renamed = globals[ModuleAndName(module: global.module, name: global.name)] {
            return PickleGlobal(module: renamed.module, name: renamed.name)
        }
        if let module = modules[global.module] {
            return PickleGlobal(module: module, name: global.name)
        }
        return nil
    }

    private struct ModuleAndName: Hashable {
        var module: String
        var name: String
    }

    /// Python 2 module → Python 3 module.
    private static let modules: [String: String] = [
        "__builtin__": "builtins", "copy_reg": "copyreg", "Queue": "queue", "SocketServer": "socketserver",
        "ConfigParser": "configparser", "repr": "reprlib", "tkFileDialog": "tkinter.filedialog",
        "tkSimpleDialog": "tkinter.simpledialog", "tkColorChooser": "tkinter.colorchooser",
        "tkCommonDialog": "tkinter.commondialog", "Dialog": "tkinter.dialog", "Tkdnd": "tkinter.dnd",
        "tkFont": "tkinter.font", "tkMessageBox": "tkinter.messagebox", "ScrolledText": "tkinter.scrolledtext",
        "Tkconstants": "tkinter.constants", "Tix": "tkinter.tix", "ttk": "tkinter.ttk", "Tkinter": "tkinter",
        "markupbase": "_markupbase", "_winreg": "winreg", "thread": "_thread", "dummy_thread": "_dummy_thread",
        "dbhash": "dbm.bsd", "dumbdbm": "dbm.dumb", "dbm": "dbm.ndbm", "gdbm": "dbm.gnu",
        "xmlrpclib": "xmlrpc.client", "SimpleXMLRPCServer": "xmlrpc.server", "httplib": "http.client",
        "htmlentitydefs": "html.entities", "HTMLParser": "html.parser", "Cookie": "http.cookies",
        "cookielib": "http.cookiejar", "BaseHTTPServer": "http.server", "test.test_support": "test.support",
        "commands": "subprocess", "urlparse": "urllib.parse", "robotparser": "urllib.robotparser",
        "urllib2": "urllib.request", "anydbm": "dbm", "_abcoll": "collections.abc",
        "cPickle": "pickle", "_elementtree": "xml.etree.ElementTree", "FileDialog": "tkinter.filedialog",
        "SimpleDialog": "tkinter.simpledialog", "DocXMLRPCServer": "xmlrpc.server",
        "SimpleHTTPServer": "http.server", "CGIHTTPServer": "http.server",
        "UserDict": "collections", "UserList": "collections", "UserString": "collections",
        "whichdb": "dbm", "StringIO": "io", "cStringIO": "io",
    ]

    /// Python 2 global → Python 3 global, for globals that moved or were renamed.
    private static let globals: [ModuleAndName: ModuleAndName] = {
        var table: [ModuleAndName: ModuleAndName] = [:]
        func add(_ old: (String, String), _ new: (String, String)) {
            table[ModuleAndName(module: old.0, name: old.1)] = ModuleAndName(module: new.0, name: new.1)
        }
        add(("__builtin__", "xrange"), ("builtins", "range"))
        add(("__builtin__", "reduce"), ("functools", "reduce"))
        add(("__builtin__", "intern"), ("sys", "intern"))
        add(("__builtin__", "unichr"), ("builtins", "chr"))
        add(("__builtin__", "unicode"), ("builtins", "str"))
        add(("__builtin__", "long"), ("builtins", "int"))
        add(("__builtin__", "basestring"), ("builtins", "str"))
        add(("itertools", "izip"), ("builtins", "zip"))
        add(("itertools", "imap"), ("builtins", "map"))
        add(("itertools", "ifilter"), ("builtins", "filter"))
        add(("itertools", "ifilterfalse"), ("itertools", "filterfalse"))
        add(("itertools", "izip_longest"), ("itertools", "zip_longest"))
        add(("UserDict", "IterableUserDict"), ("collections", "UserDict"))
        add(("UserDict", "UserDict"), ("collections", "UserDict"))
        add(("UserList", "UserList"), ("collections", "UserList"))
        add(("UserString", "UserString"), ("collections", "UserString"))
        add(("whichdb", "whichdb"), ("dbm", "whichdb"))
        add(("_socket", "fromfd"), ("socket", "fromfd"))
        add(("socket", "_socketobject"), ("socket", "SocketType"))
        add(("_multiprocessing", "Connection"), ("multiprocessing.connection", "Connection"))
        add(("multiprocessing.process", "Process"), ("multiprocessing.context", "Process"))
        add(("multiprocessing.forking", "Popen"), ("multiprocessing.popen_fork", "Popen"))
        for name in ["ContentTooShortError"] {
            add(("urllib", name), ("urllib.error", name))
        }
        for name in ["getproxies", "pathname2url", "url2pathname", "urlcleanup", "urlopen", "urlretrieve"] {
            add(("urllib", name), ("urllib.request", name))
        }
        for name in ["quote_plus", "quote", "unquote_plus", "unquote", "urlencode"] {
            add(("urllib", name), ("urllib.parse", name))
        }
        add(("urllib2", "HTTPError"), ("urllib.error", "HTTPError"))
        add(("urllib2", "URLError"), ("urllib.error", "URLError"))
        // Python 2's `exceptions` module: every builtin exception moved to `builtins`, and
        // StandardError, which Python 3 dropped, becomes Exception.
        let exceptions = [
            "ArithmeticError", "AssertionError", "AttributeError", "BaseException", "BufferError",
            "BytesWarning", "DeprecationWarning", "EOFError", "EnvironmentError", "Exception",
            "FloatingPointError", "FutureWarning", "GeneratorExit", "IOError", "ImportError", "ImportWarning",
            "IndentationError", "IndexError", "KeyError", "KeyboardInterrupt", "LookupError", "MemoryError",
            "NameError", "NotImplementedError", "OSError", "OverflowError", "PendingDeprecationWarning",
            "ReferenceError", "RuntimeError", "RuntimeWarning", "StopIteration", "SyntaxError",
            "SyntaxWarning", "SystemError", "SystemExit", "TabError", "TypeError", "UnboundLocalError",
            "UnicodeDecodeError", "UnicodeEncodeError", "UnicodeError", "UnicodeTranslateError",
            "UnicodeWarning", "UserWarning", "ValueError", "Warning", "ZeroDivisionError",
        ]
        for name in exceptions {
            add(("exceptions", name), ("builtins", name))
        }
        add(("exceptions", "StandardError"), ("builtins", "Exception"))
        for name in ["AuthenticationError", "BufferTooShort", "ProcessError", "TimeoutError"] {
            add(("multiprocessing", name), ("multiprocessing.context", name))
        }
        return table
    }()
}
