// A shelf's values are `PickleValue`s: `import Shelve` makes the value model available without a second import.
@_exported import Pickle
