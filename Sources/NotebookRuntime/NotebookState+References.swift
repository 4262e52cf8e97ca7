import Foundation

/// What a value holds that a JSON snapshot cannot bring back as it was: a class instance or a
/// closure. JSON keeps a value, not an identity, so a restored class instance is a new object —
/// two names that shared one (`let b = a`) no longer see each other's changes, `===` turns false —
/// and it is decoded as the type the declaration names, so a subclass stored where its superclass
/// is declared (`[Animal] = [Dog()]`) comes back as the superclass, overrides gone. A value
/// holding either is therefore recorded as not saved, with this reason, and a later block that
/// uses it runs the notebook from its first block.
extension NotebookState {
    /// Nil when `value` holds only values (structs, enums, collections of them, strings, numbers),
    /// else what it holds, in words. Collections whose element type holds no reference
    /// (`_isPOD`, a string, date, URL, data, UUID or decimal, or a collection of those) are not
    /// walked, so a 10⁷-element `[Double]` or a `[[Double]]` costs a type test.
    public static func uncarriedState(in value: Any) -> String? {
        var pending: [Any] = [value]
        while let next = pending.popLast() {
            if next is ReferenceFreeLeaf { continue }
            if let collection = type(of: next) as? ReferenceFreeElements.Type, collection.elementsHoldNoReferences { continue }
            let mirror = Mirror(reflecting: next)
            switch mirror.displayStyle {
            case .class:
                return "it holds an instance of the class \(String(reflecting: type(of: next))), whose identity "
                    + "(the names that share it) and dynamic type a snapshot cannot carry"
            case nil where mirror.children.isEmpty && String(describing: type(of: next)).contains("->"):
                return "it holds a closure, which a snapshot cannot carry"
            default:
                pending.append(contentsOf: mirror.children.map(\.value))
            }
        }
        return nil
    }
}

/// Types whose values hold no class instance a snapshot would have to carry (Foundation's value
/// types wrap private classes, but as immutable storage: copying them is what their values mean).
private protocol ReferenceFreeLeaf {}
extension String: ReferenceFreeLeaf {}
extension Substring: ReferenceFreeLeaf {}
extension Character: ReferenceFreeLeaf {}
extension URL: ReferenceFreeLeaf {}
extension Data: ReferenceFreeLeaf {}
extension Date: ReferenceFreeLeaf {}
extension UUID: ReferenceFreeLeaf {}
extension Decimal: ReferenceFreeLeaf {}

/// Collections that can say from their element type alone that their elements hold no reference.
private protocol ReferenceFreeElements {
    static var elementsHoldNoReferences: Bool { get }
}

/// Whether a value of this type holds no reference, judged from the type alone (nested
/// collections of such values included: `[[Double]]`).
private func holdsNoReferences<T>(_ type: T.Type) -> Bool {
    _isPOD(type) || type is ReferenceFreeLeaf.Type || (type as? ReferenceFreeElements.Type)?.elementsHoldNoReferences == true
}

extension Array: ReferenceFreeElements {
    fileprivate static var elementsHoldNoReferences: Bool { holdsNoReferences(Element.self) }
}
extension ContiguousArray: ReferenceFreeElements {
    fileprivate static var elementsHoldNoReferences: Bool { holdsNoReferences(Element.self) }
}
extension Set: ReferenceFreeElements {
    fileprivate static var elementsHoldNoReferences: Bool { holdsNoReferences(Element.self) }
}
extension Dictionary: ReferenceFreeElements {
    fileprivate static var elementsHoldNoReferences: Bool { holdsNoReferences(Key.self) && holdsNoReferences(Value.self) }
}
extension Optional: ReferenceFreeElements {
    fileprivate static var elementsHoldNoReferences: Bool { holdsNoReferences(Wrapped.self) }
}
