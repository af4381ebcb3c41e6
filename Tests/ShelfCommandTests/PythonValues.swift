/// Python code that fills the shelf `s` with values of every builtin type, shared references and cycles.
///
/// The values print the same in Python and here: sets hold only small ints, whose order does not depend on
/// hashing, and no value is an instance of a class (whose form is this package's own).
enum PythonValues {
    static let builtins = #"""
        shared = [1, 'two']
        cycle = [0]
        cycle.append(cycle)
        selfdict = {'name': 'me'}
        selfdict['self'] = selfdict
        s['none'] = None
        s['true'] = True
        s['false'] = False
        s['int'] = 42
        s['negative'] = -7
        s['int64'] = 2**63 - 1
        s['int64_min'] = -2**63
        s['big'] = 2**100
        s['big_negative'] = -(3**90)
        s['float'] = 0.1
        s['float_exponent'] = 1e16
        s['float_small'] = 1e-05
        s['negative_zero'] = -0.0
        s['nan'] = float('nan')
        s['infinity'] = float('-inf')
        s['complex'] = complex(1, -2)
        s['str'] = "it's"
        s['str_quotes'] = 'a"b\'c'
        s['str_unicode'] = 'é😀\u2028\x00\t\x7f'
        s['str_surrogate'] = '\ud800x'
        s['str_empty'] = ''
        s['bytes'] = b'\x00\xff"\''
        s['bytearray'] = bytearray(b'ab')
        s['tuple_empty'] = ()
        s['tuple_one'] = (1,)
        s['list'] = [1, [2, [3, []]]]
        s['dict'] = {'a': 1, 2: 'b', (1, 2): None, 3.5: [4]}
        s['set'] = {1, 2, 3}
        s['set_empty'] = set()
        s['frozenset'] = frozenset({4})
        s['nested'] = {'x': [{'y': (1.5, 'z')}], 'w': {}}
        s['shared'] = [shared, shared, (shared,)]
        s['cycle_list'] = cycle
        s['cycle_dict'] = selfdict
        s['ключ'] = 'key in Cyrillic'
        s['Zebra'] = 'upper case sorts first'
        s['😀'] = 'beyond the BMP'
        s['é'] = 'Latin-1'
        s['a b'] = 'space'
        """#

    /// Keys of ``builtins`` whose values have a JSON form.
    static let jsonKeys = [
        "none", "true", "false", "int", "negative", "int64", "int64_min", "big", "big_negative", "float",
        "float_exponent", "float_small", "negative_zero", "str", "str_quotes", "str_unicode", "str_surrogate",
        "str_empty", "tuple_empty", "tuple_one", "list", "nested", "shared", "ключ", "Zebra", "😀", "é", "a b",
    ]
}
