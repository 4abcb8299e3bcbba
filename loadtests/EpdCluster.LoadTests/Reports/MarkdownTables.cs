using System.Text;

namespace EpdCluster.LoadTests.Reports;

internal static class MarkdownTables
{
    public static void Append(StringBuilder markdown, TextTable table)
    {
        markdown.AppendLine($"### {Escape(table.Title)}").AppendLine();
        markdown.AppendLine("| " + string.Join(" | ", table.Headers.Select(Escape)) + " |");
        markdown.AppendLine("|" + string.Concat(table.Headers.Select(_ => "---|")));
        foreach (var row in table.Rows)
        {
            markdown.AppendLine("| " + string.Join(" | ", row.Select(Escape)) + " |");
        }

        markdown.AppendLine();
    }

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
