@_exported import DurableFiles
