import Foundation
import NotebookEngine
import XCTest

/// Every figure a report shows has its smallest text at least 11 px at the width the report
/// shows it: the SVG is drawn `width` px wide and shown at min(width, column), the column being
/// the report's `body` width less its padding and the image's border (read from the report's
/// own CSS), so a text of `font-size` s is seen at s · min(1, column / width).
///
/// A `format=png` figure carries no text to read: it is drawn at twice its block's size with its
/// fonts scaled to read as its SVG would at that size. Its check draws that SVG again (the block's
/// script, from its notebook, on the report's own tables in `data/NAME/`) and measures it as above,
/// and checks that the PNG is twice the width the report shows it at, the scale its fonts assume.
final class ReportFigureLegibilityTests: XCTestCase {
    static let smallestReadable = 11.0

    static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The width in CSS px an image gets in the report's column.
    static func column(css html: String) throws -> Double {
        let body = try XCTUnwrap(html.range(of: "(^|\\n)\\s*body \\{[^}]*\\}", options: .regularExpression).map { String(html[$0]) })
        let rem = 16.0
        let maxWidth = try XCTUnwrap(Self.number(after: "max-width: ", unit: "rem", in: body)) * rem
        let padding = try XCTUnwrap(body.range(of: "padding: [0-9.]+rem [0-9.]+rem", options: .regularExpression).map { String(body[$0]) })
        let horizontal = try XCTUnwrap(Double(padding.split(separator: " ")[2].dropLast(3))) * rem
        let image = try XCTUnwrap(html.range(of: "(^|\\n)\\s*figure img \\{[^}]*\\}", options: .regularExpression).map { String(html[$0]) })
        // The plain rule, not `.cell.stale figure img` (whose dashed border marks a stale figure).
        let border = Self.number(after: "border: ", unit: "px", in: image) ?? 0
        XCTAssertTrue(html.contains("* { box-sizing: border-box; }"), "the border is inside the image's width")
        return maxWidth - 2 * horizontal - 2 * border
    }

    static func number(after prefix: String, unit: String, in text: String) -> Double? {
        guard let range = text.range(of: prefix + "[0-9.]+" + unit, options: .regularExpression) else { return nil }
        return Double(text[range].dropFirst(prefix.count).dropLast(unit.count))
    }

    /// The SVGs a report carries inline, decoded.
    static func inlineSVGs(_ html: String) -> [String] {
        html.components(separatedBy: "data:image/svg+xml;base64,").dropFirst().compactMap { piece in
            Data(base64Encoded: String(piece.prefix { $0 != "\"" })).map { String(decoding: $0, as: UTF8.self) }
        }
    }

    /// The SVG's drawn width and its smallest font size (gnuplot writes `font-size="14.00"`; an
    /// enhanced-text subscript `font-size="11.2"`).
    static func measure(_ svg: String) -> (width: Double, smallest: Double)? {
        guard let width = svg.range(of: "<svg[^>]*width=\"[0-9.]+", options: .regularExpression)
            .flatMap({ Double(svg[$0].split(separator: "\"").last!) }) else { return nil }
        var sizes: [Double] = []
        var rest = svg[...]
        while let range = rest.range(of: "font-size[=:]\\s*\"?[0-9.]+", options: .regularExpression) {
            let text = rest[range]
            if let value = Double(text.drop { !$0.isNumber && $0 != "." }) { sizes.append(value) }
            rest = rest[range.upperBound...]
        }
        return sizes.min().map { (width, $0) }
    }

    /// The PNGs a report shows inline: the image and the width the report gives it, with the figure's name.
    static func inlinePNGs(_ html: String) -> [(png: Data, width: Double?, figure: String?)] {
        var found: [(png: Data, width: Double?, figure: String?)] = []
        var rest = html[...]
        while let start = rest.range(of: "data:image/png;base64,") {
            let encoded = rest[start.upperBound...].prefix { $0 != "\"" }
            let after = rest[encoded.endIndex...].prefix(200)
            let width = after.range(of: #"^" width="[0-9]+""#, options: .regularExpression)
                .flatMap { Double(after[$0].dropFirst(9).dropLast()) }
            let figure = html[..<start.lowerBound].range(of: #"id="figure-[^"]+""#, options: [.regularExpression, .backwards])
                .map { String(html[$0].dropFirst(11).dropLast()) }
            if let png = Data(base64Encoded: String(encoded)) { found.append((png, width, figure)) }
            rest = rest[encoded.endIndex...]
        }
        return found
    }

    /// A PNG's width in pixels (its IHDR chunk).
    static func pngWidth(_ data: Data) -> Double? {
        let bytes = [UInt8](data)
        guard bytes.count > 24, bytes.prefix(4) == [0x89, 0x50, 0x4e, 0x47] else { return nil }
        return Double(bytes[16..<20].reduce(0) { $0 << 8 | Int($1) })
    }

    /// A `format=png` figure of report `html` (in `folder`) drawn again as its SVG, and the width it
    /// is shown at; the report's notebook path is read from `root` (where `notebook run` ran).
    static func equivalentSVG(of figure: String, html: String, folder: URL, root: URL = repository) throws -> (svg: String, width: Double)? {
        let path = try XCTUnwrap(html.range(of: #"<p class="path">[^<]+</p>"#, options: .regularExpression)
            .map { String(html[$0].dropFirst(16).dropLast(4)) }, "the report names its notebook")
        let document = try NotebookParser().parse(contentsOf: root.appendingPathComponent(path), displayPath: path)
        let block = try XCTUnwrap(document.gnuplotBlocks.first { $0.figure == figure }, "\(path) draws \(figure)")
        var tables: [String: String] = [:]
        for name in block.data {
            tables[name] = try String(contentsOf: folder.appendingPathComponent("data/\(document.stem)/\(name).tsv"), encoding: .utf8)
        }
        return try block.drawnAsSVG(tables: tables).map { ($0, Double(block.size.width)) }
    }

    func testTheSmallestTextOfEveryFigureIsReadableInItsReport() throws {
        var checked = 0
        // The committed reports, what a reader opens (Figures/quick is a scratch render, git-ignored,
        // as old as its last `make figures QUICK=1`).
        for folder in ["Figures"] {
            let url = Self.repository.appendingPathComponent(folder)
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: url.path) else { continue }
            for name in names.sorted() where name.hasSuffix(".html") && name != "index.html" {
                let html = try String(contentsOf: url.appendingPathComponent(name), encoding: .utf8)
                let column = try Self.column(css: html)
                let svgs = Self.inlineSVGs(html)
                let pngs = Self.inlinePNGs(html)
                XCTAssertFalse(svgs.isEmpty && pngs.isEmpty, "\(folder)/\(name) shows no figure")
                for (png, width, figure) in pngs {
                    let label = "\(folder)/\(name) figure \(figure ?? "?") (PNG)"
                    let shownWidth = try XCTUnwrap(width, "\(label) is shown at its block's width")
                    XCTAssertEqual(Self.pngWidth(png), 2 * shownWidth, "\(label): drawn at twice the width it is shown at, as its fonts assume")
                    guard let drawn = try Self.equivalentSVG(of: try XCTUnwrap(figure, label), html: html, folder: url) else {
                        throw XCTSkip("gnuplot is not installed: \(label) cannot be drawn as SVG to measure its text")
                    }
                    XCTAssertEqual(drawn.width, shownWidth, label)
                    let measured = try XCTUnwrap(Self.measure(drawn.svg), label)
                    let shown = measured.smallest * min(1, column / measured.width)
                    XCTAssertGreaterThanOrEqual(
                        shown, Self.smallestReadable,
                        "\(label): \(measured.smallest) px text in a \(measured.width) px figure shown \(column) px wide")
                    checked += 1
                }
                for (k, svg) in svgs.enumerated() {
                    let measured = try XCTUnwrap(Self.measure(svg), "\(folder)/\(name) figure \(k + 1)")
                    let shown = measured.smallest * min(1, column / measured.width)
                    XCTAssertGreaterThanOrEqual(
                        shown, Self.smallestReadable,
                        "\(folder)/\(name) figure \(k + 1): \(measured.smallest) px text in a \(measured.width) px SVG shown \(column) px wide")
                    checked += 1
                }
            }
        }
        if checked == 0 { throw XCTSkip("no rendered reports in Figures/ (run make figures)") }
    }

    func testTheMeasureReadsGnuplotsSVG() throws {
        let svg = "<svg \n width=\"1500\" height=\"700\"\n><g font-size=\"14.00\"><tspan font-size=\"11.2\">2</tspan></g></svg>"
        let measured = try XCTUnwrap(Self.measure(svg))
        XCTAssertEqual(measured.width, 1500)
        XCTAssertEqual(measured.smallest, 11.2)
        // Figure 1 as it was: 1500 px wide in a 942 px column, its 14 px labels seen at 8.8 px.
        XCTAssertLessThan(14 * 942.0 / 1500, Self.smallestReadable)
        let css = "* { box-sizing: border-box; }\nbody { margin: 0 auto; max-width: 62rem; padding: 1.5rem 1.5rem 4rem; }\nfigure img { max-width: 100%; border: 1px solid #ccc; }"
        XCTAssertEqual(try Self.column(css: css), 992 - 48 - 2)
    }
}
