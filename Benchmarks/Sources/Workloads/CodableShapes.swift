import Pickle

// Codable types shaped like the bm_pickle objects, for the Codable path (PickleEncoder/PickleDecoder).

/// pyperformance's `DICT`: a user record of 33 fields, one a `datetime.date`, one a list of tags.
public struct UserRecord: Codable, Sendable {
    public var adsFlags: Int
    public var age: Int
    public var birthday: PythonDate
    public var bulletinCount: Int
    public var commentCount: Int
    public var country: String
    public var encryptedID: String
    public var favoriteCount: Int
    public var firstName: String
    public var flags: Int
    public var friendCount: Int
    public var gender: String
    public var genderForDisplay: String
    public var id: Int
    public var isCustomProfileIcon: Int
    public var lastName: String
    public var localePreference: String
    public var member: Int
    public var tags: [String]
    public var profileFooID: Int
    public var secureEncryptedID: String
    public var sessionNumber: Int
    public var signupID: String
    public var status: String
    public var theme: Int
    public var timeCreated: Int
    public var timeUpdated: Int
    public var unreadMessageCount: Int
    public var userGroup: String
    public var username: String
    public var playCount: Int
    public var viewCount: Int
    public var zip: String

    enum CodingKeys: String, CodingKey {
        case adsFlags = "ads_flags", age, birthday, bulletinCount = "bulletin_count", commentCount = "comment_count"
        case country, encryptedID = "encrypted_id", favoriteCount = "favorite_count", firstName = "first_name"
        case flags, friendCount = "friend_count", gender, genderForDisplay = "gender_for_display", id
        case isCustomProfileIcon = "is_custom_profile_icon", lastName = "last_name"
        case localePreference = "locale_preference", member, tags, profileFooID = "profile_foo_id"
        case secureEncryptedID = "secure_encrypted_id", sessionNumber = "session_number", signupID = "signup_id"
        case status, theme, timeCreated = "time_created", timeUpdated = "time_updated"
        case unreadMessageCount = "unread_message_count", userGroup = "user_group", username
        case playCount = "play_count", viewCount = "view_count", zip
    }
}

/// One of the three records of pyperformance's `DICT_GROUP`: `DICT`'s keys, every value a `str`.
public struct UserRecordStrings: Codable, Sendable {
    public var adsFlags: String
    public var age: String
    public var birthday: String
    public var bulletinCount: String
    public var commentCount: String
    public var country: String
    public var encryptedID: String
    public var favoriteCount: String
    public var firstName: String
    public var flags: String
    public var friendCount: String
    public var gender: String
    public var genderForDisplay: String
    public var id: String
    public var isCustomProfileIcon: String
    public var lastName: String
    public var localePreference: String
    public var member: String
    public var tags: String
    public var profileFooID: String
    public var secureEncryptedID: String
    public var sessionNumber: String
    public var signupID: String
    public var status: String
    public var theme: String
    public var timeCreated: String
    public var timeUpdated: String
    public var unreadMessageCount: String
    public var userGroup: String
    public var username: String
    public var playCount: String
    public var viewCount: String
    public var zip: String

    typealias CodingKeys = UserRecord.CodingKeys
}

/// pyperformance's `TUPLE`: a list of 20 ids and a count, as a two-element sequence.
public struct IDTuple: Codable, Sendable {
    public var ids: [Int]
    public var count: Int

    public init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        ids = try container.decode([Int].self)
        count = try container.decode(Int.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        try container.encode(ids)
        try container.encode(count)
    }
}

/// One bm_pickle object through the Codable layer: a typed value to encode, and the pickle to decode it from.
public struct CodableCase {
    /// The object.
    public let object: BMObject
    /// Encodes the typed value into a pickle, protocol 5.
    public let dumps: () throws -> [UInt8]
    /// Decodes CPython's pickle into the typed value.
    public let loads: () throws -> Void

    /// The Codable case for `object`, decoding CPython's pickle once to make the typed value.
    ///
    /// - Parameters:
    ///   - object: The bm_pickle object.
    ///   - pickle: CPython's pickle of it.
    /// - Returns: The case.
    /// - Throws: When the pickle does not decode into the object's Codable shape.
    public static func make(_ object: BMObject, pickle: [UInt8]) throws -> CodableCase {
        switch object {
        case .dict: try make(UserRecord.self, object, pickle)
        case .tuple: try make(IDTuple.self, object, pickle)
        case .dictGroup: try make([UserRecordStrings].self, object, pickle)
        case .list: try make([[[Int]]].self, object, pickle)
        case .microDict: try make([Int: [Int: Int?]].self, object, pickle)
        }
    }

    private static func make<T: Codable>(_ type: T.Type, _ object: BMObject, _ pickle: [UInt8]) throws
        -> CodableCase
    {
        let decoder = PickleDecoder()
        let encoder = PickleEncoder()
        let value = try decoder.decode(T.self, from: try Unpickler.load(pickle))
        return CodableCase(
            object: object,
            dumps: { try encoder.encode(value) },
            loads: { sink(try decoder.decode(T.self, from: pickle)) }
        )
    }
}

/// Keeps a value alive past the optimizer: results of benchmarked calls go here.
@inline(never)
public func sink<T>(_ value: T) {
    withExtendedLifetime(value) {}
}
