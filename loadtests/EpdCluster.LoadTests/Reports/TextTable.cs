namespace EpdCluster.LoadTests.Reports;

/// <summary>A table of text cells, rendered to the console (Spectre.Console) and to Markdown alike.</summary>
internal sealed record TextTable(string Title, IReadOnlyList<string> Headers, IReadOnlyList<IReadOnlyList<string>> Rows);
