import LinearAlgebra

/// The references as a notebook keeps them between runs (`NotebookState`): every field, X_gd as
/// its shape and column-major entries, so that a restored value is the computed one bit for bit.
extension FactorizationSweep.References: Codable {
    private enum CodingKeys: String, CodingKey {
        case xgdRows, xgdColumns, xgdEntries, xgdReconstructionError, xgdRelativeResidual, xgdNuclearNorm
        case minimumNuclearNorm, minimumReconstructionError, minimumDualityGap, minimumStatus, minimumMessage, xgdStatus
    }

    public init(from decoder: Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        let rows = try values.decode(Int.self, forKey: .xgdRows)
        let columns = try values.decode(Int.self, forKey: .xgdColumns)
        let entries = try values.decode([Double].self, forKey: .xgdEntries)
        guard rows >= 0, columns >= 0, entries.count == rows * columns else {
            throw DecodingError.dataCorruptedError(forKey: .xgdEntries, in: values, debugDescription: "X_gd has \(entries.count) entries, not \(rows) × \(columns)")
        }
        self.init(
            xgd: Matrix(rows: rows, columns: columns, columnMajor: entries),
            xgdReconstructionError: try values.decode(Double.self, forKey: .xgdReconstructionError),
            xgdRelativeResidual: try values.decode(Double.self, forKey: .xgdRelativeResidual),
            xgdNuclearNorm: try values.decode(Double.self, forKey: .xgdNuclearNorm),
            minimumNuclearNorm: try values.decode(Double.self, forKey: .minimumNuclearNorm),
            minimumReconstructionError: try values.decode(Double.self, forKey: .minimumReconstructionError),
            minimumDualityGap: try values.decode(Double.self, forKey: .minimumDualityGap),
            minimumStatus: try values.decode(SolverStatus.self, forKey: .minimumStatus),
            minimumMessage: try values.decode(String.self, forKey: .minimumMessage),
            xgdStatus: try values.decode(SolverStatus.self, forKey: .xgdStatus))
    }

    public func encode(to encoder: Encoder) throws {
        var values = encoder.container(keyedBy: CodingKeys.self)
        try values.encode(xgd.rows, forKey: .xgdRows)
        try values.encode(xgd.columns, forKey: .xgdColumns)
        try values.encode(xgd.elements, forKey: .xgdEntries)
        try values.encode(xgdReconstructionError, forKey: .xgdReconstructionError)
        try values.encode(xgdRelativeResidual, forKey: .xgdRelativeResidual)
        try values.encode(xgdNuclearNorm, forKey: .xgdNuclearNorm)
        try values.encode(minimumNuclearNorm, forKey: .minimumNuclearNorm)
        try values.encode(minimumReconstructionError, forKey: .minimumReconstructionError)
        try values.encode(minimumDualityGap, forKey: .minimumDualityGap)
        try values.encode(minimumStatus, forKey: .minimumStatus)
        try values.encode(minimumMessage, forKey: .minimumMessage)
        try values.encode(xgdStatus, forKey: .xgdStatus)
    }
}
