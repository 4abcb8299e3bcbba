using System.Text.Json;
using System.Text.Json.Serialization;
using EpdCluster.LoadTests.Configuration;

namespace EpdCluster.LoadTests.Scenarios;

/// <summary>Reads scenario JSON files strictly: unknown fields are errors, so a typo never silently changes a run.</summary>
internal static class ScenarioFile
{
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false) },
    };

    public static Scenario Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new LoadOptionsException($"--scenario: no file at '{path}'.");
        }

        Scenario scenario;
        try
        {
            scenario = JsonSerializer.Deserialize<Scenario>(File.ReadAllText(path), JsonOptions)
                ?? throw new LoadOptionsException($"{path}: the file holds no scenario.");
        }
        catch (JsonException e)
        {
            throw new LoadOptionsException($"{path}: {e.Message}");
        }

        scenario.Validate();
        return scenario;
    }
}
