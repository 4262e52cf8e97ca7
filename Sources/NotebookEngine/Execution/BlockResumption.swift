import Foundation
import NotebookRuntime

/// How a notebook's program resumes at block `from` with the values blocks 0…from−1 left:
/// what it restores, and whether it can.
///
/// The restored blocks keep their declarations of functions and types as written; each of
/// their `let`/`var` values that the snapshot after block from−1 holds is declared as
/// `NotebookState.restore("x", file: "x@2.json") { <original initializer> }` in `restored.swift`,
/// decoded on first use (a `var` is kept again, so that a later block's change to it is saved);
/// their other statements are left
/// out (their outputs, tables, claims and inline values come from the earlier run). A resume is
/// refused, and the notebook runs from its first block, when a restored block has a declaration
/// that cannot be rebuilt (``SwiftTopLevel/Item/Kind/unsupported``) or when anything the program
/// still runs (later blocks, inline expressions, kept declarations, restored initializers)
/// names a value the snapshot lacks (its type is not Codable, or it holds a class instance or a
/// closure: ``NotebookState/uncarriedState(in:)``), or when any block declares a stored static
/// property (``SwiftTopLevel/staticStorage``) and a restored block runs code that may have changed it.
struct BlockResumption {
    /// The first block that runs.
    var from: Int
    /// The names the snapshot after block from−1 holds.
    var saved: Set<String> { Set(files.keys) }
    /// The files (in the run's `values/`) of the values the snapshot after block from−1 holds, by name.
    var files: [String: String]
    /// The types of the values it could not hold (not Codable), by name: such a value that only
    /// restored initializers name is declared as a stand-in of its type, never read.
    var unsaveableTypes: [String: String] = [:]
    /// Why a value of a Codable type was not saved (it holds a class instance or a closure), by name.
    var unsaveableReasons: [String: String] = [:]

    init(from: Int, files: [String: String], unsaveableTypes: [String: String] = [:], unsaveableReasons: [String: String] = [:]) {
        (self.from, self.files, self.unsaveableTypes, self.unsaveableReasons) = (from, files, unsaveableTypes, unsaveableReasons)
    }

    /// The resumption at block `from` from the snapshot after block from−1.
    init(from: Int, snapshot: StateSnapshot) {
        self.init(
            from: from, files: snapshot.files, unsaveableTypes: snapshot.unsaveable.compactMapValues(\.type),
            unsaveableReasons: snapshot.unsaveable.compactMapValues(\.reason))
    }

    /// The top-level items of each Swift block.
    static func items(_ blocks: [SwiftBlock]) -> [SwiftTopLevel] {
        blocks.map { SwiftTopLevel($0.code) }
    }

    /// The values each block declares that the snapshots keep, with whether each is a `var`: the
    /// block's bindings, without those that share a function's name (`keep("f") { f }` would be
    /// ambiguous), those a block before declared, and those of a block with a top-level `#if`
    /// (a name in an inactive branch is not declared at all).
    static func keptNames(_ items: [SwiftTopLevel]) -> [[(name: String, mutable: Bool)]] {
        let functions = items.reduce(into: Set<String>()) { $0.formUnion($1.functionNames) }
        var seen: Set<String> = []
        return items.map { blockItems in
            guard !blockItems.items.contains(where: { $0.text.hasPrefix("#") }) else { return [] }
            var names: [(name: String, mutable: Bool)] = []
            for case .binding(let binding) in blockItems.items.map(\.kind)
            where binding.name != "_" && !functions.contains(binding.name) && !seen.contains(binding.name) {
                seen.insert(binding.name)
                names.append((binding.name, binding.isVariable))
            }
            return names
        }
    }

    /// Nil when the resume can go ahead, else why not (for the log).
    func refusal(document: NotebookDocument, items: [SwiftTopLevel]) -> String? {
        // A stored static is declared afresh by the resumed program: what the restored blocks'
        // code did to it (directly or through a function, so in any block's type) would be lost.
        let restoredCodeRuns = items.prefix(from).contains { $0.items.contains { if case .declaration = $0.kind { false } else { true } } }
        if restoredCodeRuns {
            for (block, blockItems) in items.enumerated() {
                guard let property = blockItems.staticStorage.first else { continue }
                let restored = from == 1 ? "block 1" : "blocks 1–\(from)"
                return "\(document.path):\(document.swiftBlocks[block].firstCodeLine + property.line): the static property '\(property.name)' "
                    + "would start afresh, not with what \(restored) left in it (a snapshot holds top-level values only)"
            }
        }
        var unavailable: [String: Int] = [:]
        var uses: [(words: Set<String>, place: String)] = []
        // What restored initializers name: a value without a snapshot may stand in there (typed, never read).
        var initializerUses: [(words: Set<String>, place: String)] = []
        for (block, blockItems) in items.enumerated() {
            let fenceLine = document.swiftBlocks[block].firstCodeLine
            for item in blockItems.items {
                let place = "line \(fenceLine + item.line)"
                guard block < from else { uses.append((item.identifiers, place)); continue }
                switch item.kind {
                case .unsupported(let reason):
                    return "\(document.path):\(fenceLine + item.line): \(reason)"
                case .binding(let binding):
                    if saved.contains(binding.name) {
                        var words = SwiftTopLevel(binding.initializer).items.reduce(into: Set<String>()) { $0.formUnion($1.identifiers) }
                        if let type = binding.type { words.formUnion(SwiftTopLevel(type).items.flatMap(\.identifiers)) }
                        initializerUses.append((words, place))
                    } else if binding.name != "_" {
                        unavailable[binding.name] = fenceLine + item.line
                    }
                case .declaration:
                    uses.append((item.identifiers, place))
                case .statement:
                    break
                }
            }
        }
        for inline in document.inlineExpressions where (inline.afterBlock ?? -1) >= from - 1 {
            uses.append((SwiftTopLevel(inline.code).items.reduce(into: Set<String>()) { $0.formUnion($1.identifiers) }, "line \(inline.line)"))
        }
        for (words, place) in uses + initializerUses.map({ ($0.words.filter { unsaveableTypes[$0] == nil }, $0.place) }) {
            if let name = words.first(where: { unavailable[$0] != nil }) {
                let why = unsaveableReasons[name] ?? "its type is not Codable"
                return "\(document.path): \(place) uses '\(name)' (line \(unavailable[name]!)), which no snapshot holds (\(why))"
            }
        }
        return nil
    }

    /// The restored block's source: its declarations as written and its values' stand-ins, for
    /// `main.swift` (with the registration of each restored `var`, so that a later change to it is
    /// saved); its saved values, for `restored.swift` (``restoredFile(_:items:path:)``).
    func restoredSource(_ block: SwiftBlock, items: SwiftTopLevel, path: String) -> [String] {
        var lines: [String] = []
        for item in items.items {
            switch item.kind {
            case .binding(let binding) where saved.contains(binding.name) && binding.isVariable:
                let (name, file) = (SwiftStringLiteral.of(binding.name), SwiftStringLiteral.of(files[binding.name]!))
                lines.append("NotebookState.keep(\(name), block: \(block.index), mutable: true, savedAs: \(file)) { \(binding.name) }")
            case .binding(let binding) where !saved.contains(binding.name) && unsaveableTypes[binding.name] != nil:
                lines.append("var \(binding.name): \(unsaveableTypes[binding.name]!) { NotebookState.unavailable(\(SwiftStringLiteral.of(binding.name))) }")
            case .declaration:
                lines.append("#sourceLocation(file: \(SwiftStringLiteral.of(path)), line: \(block.firstCodeLine + item.line))")
                lines.append(item.text)
                lines.append("#sourceLocation()")
            case .binding, .statement, .unsupported:
                break
            }
        }
        return lines
    }

    /// The second file of a resumed program, `restored.swift`: the restored blocks' saved values,
    /// each declared as `let x = NotebookState.restore("x", file: "x@2.json") { <its initializer> }`.
    /// Globals outside `main.swift` are initialized on first use, so a value no later block reads
    /// is never decoded (a resume that does not need a large value does not pay for it). The
    /// file imports what any block imports (an import holds for the whole of `main.swift`), and
    /// a value declared `private` or `fileprivate` loses that modifier (the program has no other
    /// file it could clash with).
    func restoredFile(_ blocks: [SwiftBlock], items: [SwiftTopLevel], path: String) -> String {
        var lines = ["import Foundation", "import \(NotebookKernel.moduleName)"]
        lines += items.flatMap(\.items).filter(\.isImport).map(\.text)
        for block in blocks where block.index < from {
            for item in items[block.index].items {
                guard case .binding(let binding) = item.kind, saved.contains(binding.name) else { continue }
                lines.append("#sourceLocation(file: \(SwiftStringLiteral.of(path)), line: \(block.firstCodeLine + item.line))")
                let introducer = binding.introducer.replacingOccurrences(
                    of: #"\b(fileprivate|private)(\(set\))?\s*"#, with: "", options: .regularExpression)
                let annotation = binding.type.map { ": " + $0 } ?? ""
                let (name, file) = (SwiftStringLiteral.of(binding.name), SwiftStringLiteral.of(files[binding.name]!))
                lines.append("\(introducer) \(binding.name)\(annotation) = NotebookState.restore(\(name), file: \(file)) {")
                lines.append(binding.initializer)
                lines.append("}")
                lines.append("#sourceLocation()")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension SwiftTopLevel.Binding {
    /// Whether it declares a `var` (a value a later block may change), not a `let`.
    var isVariable: Bool {
        introducer.split(whereSeparator: \.isWhitespace).contains("var")
    }
}

extension SwiftTopLevel.Item {
    /// Whether it is an `import` (with attributes: `@preconcurrency import Glibc`).
    var isImport: Bool {
        guard case .declaration = kind else { return false }
        return text.range(of: #"^(@\w+(\([^)]*\))?\s+)*import\s"#, options: .regularExpression) != nil
    }
}
