import ArgumentParser
import Pickle

/// How `get`, `dump` and `load` print a value.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    /// Python's `repr()` (the value model's `description`).
    case repr
    /// JSON, exactly as Python's `json.dumps(value, allow_nan=False)` prints it; values without a JSON form
    /// are errors.
    case json

    /// The value in this format, on one line (without the newline).
    ///
    /// - Throws: ``JSONWriter/Failure`` when the format is JSON and the value has no JSON form.
    func text(of value: PickleValue) throws(JSONWriter.Failure) -> String {
        switch self {
        case .repr: value.description
        case .json: try JSONWriter.text(of: value)
        }
    }
}
