using System.Text.Json;
using System.Text.Json.Serialization;
using EpdCluster.LoadTests.Configuration;

namespace EpdCluster.LoadTests.Reports;

/// <summary>Reads and writes result files: snake_case like vLLM's result JSON, indented for people.</summary>
internal static class ReportJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false) },
    };

    public static string Serialize(RunReport report) => JsonSerializer.Serialize(report, Options);

    public static RunReport Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new LoadOptionsException($"no result file at '{path}'.");
        }

        try
        {
            var report = JsonSerializer.Deserialize<RunReport>(File.ReadAllText(path), Options)
                ?? throw new LoadOptionsException($"{path} holds no result.");
            return report.SchemaVersion == RunReport.CurrentSchemaVersion
                ? report
                : throw new LoadOptionsException($"{path} has schema version {report.SchemaVersion}; this tool reads {RunReport.CurrentSchemaVersion}.");
        }
        catch (JsonException e)
        {
            throw new LoadOptionsException($"{path} is not an epd-load result file: {e.Message}");
        }
    }
}
