import Foundation
import LinearAlgebra

/// MovieLens-100k as Figure 3 (iv) uses it (SPEC, "MovieLens-100k"): 943 users × 1682 movies,
/// `ua.base` (90,570 ratings) to fit and `ua.test` (10 held-out ratings per user) to test; raw
/// 1–5 ratings, no centring. The two files are disjoint.
///
/// The data is not in the repository (its licence forbids redistribution). ``folder(given:)``
/// finds it: `--data DIR`, else `$MOVIELENS_DIR`, else `data/ml-100k`.
public struct MovieLens: Sendable {
    public static let users = 943
    public static let movies = 1682

    public enum LoadError: Error, CustomStringConvertible {
        case missing(file: String)
        case unreadable(file: String, reason: String)
        case empty(file: String)
        case malformed(file: String, line: Int, reason: String)

        public var description: String {
            switch self {
            case let .missing(file):
                "\(file) is missing. MovieLens-100k cannot be redistributed, so it is not in the repository: "
                    + "download ml-100k.zip from GroupLens (grouplens.org/datasets/movielens/100k), unzip it, and put "
                    + "ua.base and ua.test in data/ml-100k/ (or pass --data DIR, or set MOVIELENS_DIR)."
            case let .unreadable(file, reason):
                "\(file): cannot read the file: \(reason)"
            case let .empty(file):
                "\(file): has no ratings (expected lines of: user id 1…943, movie id 1…1682, rating 1…5, timestamp, tab-separated)"
            case let .malformed(file, line, reason):
                "\(file):\(line): \(reason) (expected: user id 1…943, movie id 1…1682, rating 1…5, timestamp, tab-separated)"
            }
        }
    }

    /// The ratings fitted (`ua.base`) and tested (`ua.test`): users × movies entries, 0-based, in
    /// the files' order.
    public var training: ObservedEntries
    public var test: ObservedEntries

    /// The data set of these ratings (``load(from:)`` reads MovieLens's own).
    public init(training: ObservedEntries, test: ObservedEntries) {
        precondition([training, test].allSatisfy { $0.rows == Self.users && $0.columns == Self.movies }, "MovieLens ratings are users × movies")
        (self.training, self.test) = (training, test)
    }

    /// The folder to read: `given` (`--data`), else `$MOVIELENS_DIR`, else `data/ml-100k`.
    public static func folder(given: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        URL(fileURLWithPath: given ?? environment["MOVIELENS_DIR"] ?? "data/ml-100k", isDirectory: true)
    }

    /// Reads `ua.base` and `ua.test` from `folder`.
    public static func load(from folder: URL) throws -> MovieLens {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw LoadError.unreadable(file: folder.path, reason: "it is a file, not the folder holding ua.base and ua.test")
        }
        return MovieLens(training: try ratings(folder.appendingPathComponent("ua.base")),
                         test: try ratings(folder.appendingPathComponent("ua.test")))
    }

    /// The ratings of `url`: UTF-8 text, one rating a line (LF or CRLF), each (user, movie) at most once.
    static func ratings(_ url: URL) throws -> ObservedEntries {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { throw LoadError.missing(file: url.path) }
        if isDirectory.boolValue { throw LoadError.unreadable(file: url.path, reason: "it is a directory, not a file") }
        guard FileManager.default.isReadableFile(atPath: url.path) else { throw LoadError.unreadable(file: url.path, reason: "permission denied") }
        // 943 × 1682 distinct ratings of at most ~40 bytes a line: a larger file cannot be MovieLens-100k.
        if let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size]) as? Int, size > 256 << 20 {
            throw LoadError.unreadable(file: url.path, reason: "it has \(size) bytes, more than any MovieLens-100k file (256 MiB at most)")
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw LoadError.unreadable(file: url.path, reason: (error as NSError).localizedFailureReason ?? "the read failed")
        }
        return try ratings(Array(data), file: url.path)
    }

    /// The ratings of a file's bytes; `file` names it in errors.
    static func ratings(_ bytes: [UInt8], file: String) throws -> ObservedEntries {
        var ratings: [ObservedEntries.Entry] = []
        var seen: [Int: Int] = [:]  // user · movies + movie → line
        var number = 0
        for var line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            number += 1
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            guard let text = String(validating: line, as: UTF8.self) else {
                let bad = line.first { $0 >= 0x80 } ?? 0
                throw LoadError.malformed(file: file, line: number, reason: String(format: "not UTF-8 text (byte 0x%02X)", bad))
            }
            if text.allSatisfy(\.isWhitespace) { continue }
            let fields = text.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 4 else {
                throw LoadError.malformed(file: file, line: number, reason: "\(fields.count) tab-separated fields, not 4")
            }
            guard let user = Int(fields[0]), (1...users).contains(user), let movie = Int(fields[1]), (1...movies).contains(movie),
                  let value = Double(fields[2]), (1...5).contains(value), Int(fields[3]) != nil else {
                throw LoadError.malformed(file: file, line: number, reason: "'\(text)' is out of range or not numbers")
            }
            let key = (user - 1) * movies + (movie - 1)
            if let first = seen[key] {
                throw LoadError.malformed(file: file, line: number, reason: "user \(user) rates movie \(movie) again (first on line \(first))")
            }
            seen[key] = number
            ratings.append(.init(row: user - 1, column: movie - 1, value: value))
        }
        if ratings.isEmpty { throw LoadError.empty(file: file) }
        return Self.ratings(ratings)
    }

    /// Ratings as users × movies observed entries (0-based user and movie), in this order.
    public static func ratings(_ entries: [ObservedEntries.Entry]) -> ObservedEntries {
        ObservedEntries(rows: users, columns: movies, entries: entries)
    }

    /// The test error of a factored `X = UVᵀ` (U users × d, V movies × d), without forming X: each
    /// test entry `⟨u_i, v_j⟩` is a BLAS `ddot` of two factor rows (``ObservedEntries/sampledProducts(_:_:rank:into:threads:)``).
    public func testError(u: Matrix, v: Matrix) -> Double {
        precondition(u.rows == Self.users && v.rows == Self.movies && u.columns == v.columns && u.columns > 0, "U is users × d and V movies × d, d ≥ 1")
        let entries = test
        let (a, b) = (u.transposed.elements, v.transposed.elements)  // by rows
        var predicted = [Double](repeating: 0, count: entries.count)
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                predicted.withUnsafeMutableBufferPointer {
                    entries.sampledProducts(a.baseAddress!, b.baseAddress!, rank: u.columns, into: $0.baseAddress!)
                }
            }
        }
        return Vector.norm(Vector.difference(predicted, entries.values)) / Vector.norm(entries.values)
    }

    /// X_gd for completion: the zero-filled training matrix `P_Ω(Y)` (943 × 1682).
    public var zeroFilledTraining: Matrix {
        training.zeroFilled(training.values)
    }

    /// The test error `‖P_test(X) − y_test‖ / ‖y_test‖` of a dense X.
    public func testError(_ x: Matrix) -> Double { test.relativeError { x[$0, $1] } }
    /// The training error `‖P_Ω(X) − y‖ / ‖y‖` of a dense X.
    public func trainingError(_ x: Matrix) -> Double { training.relativeError { x[$0, $1] } }
}
