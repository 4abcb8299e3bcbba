namespace EpdCluster.Abstractions;

/// <summary>Parsing and formatting of role lists as they appear in configuration and silo metadata.</summary>
public static class WorkerRoles
{
    public static IReadOnlyList<WorkerRole> All { get; } = [WorkerRole.Encode, WorkerRole.Prefill, WorkerRole.Decode];

    /// <summary>Lower-case wire name: <c>encode</c>, <c>prefill</c>, <c>decode</c>.</summary>
    public static string ToWireName(this WorkerRole role) => role switch
    {
        WorkerRole.Encode => "encode",
        WorkerRole.Prefill => "prefill",
        WorkerRole.Decode => "decode",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "Unknown worker role."),
    };

    public static bool TryParse(string? text, out WorkerRole role)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "encode" or "encoder" or "e":
                role = WorkerRole.Encode;
                return true;
            case "prefill" or "p":
                role = WorkerRole.Prefill;
                return true;
            case "decode" or "decoder" or "d":
                role = WorkerRole.Decode;
                return true;
            default:
                role = default;
                return false;
        }
    }

    /// <summary>Formats roles as a comma-separated list, e.g. <c>encode,prefill</c>.</summary>
    public static string Format(IEnumerable<WorkerRole> roles) => string.Join(',', roles.Select(ToWireName));

    /// <summary>Parses a comma-separated list; throws <see cref="FormatException"/> naming the bad entry.</summary>
    public static IReadOnlyList<WorkerRole> ParseList(string text)
    {
        var roles = new List<WorkerRole>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!TryParse(part, out var role))
            {
                throw new FormatException($"'{part}' is not a worker role; expected encode, prefill or decode.");
            }

            if (!roles.Contains(role))
            {
                roles.Add(role);
            }
        }

        return roles;
    }
}
