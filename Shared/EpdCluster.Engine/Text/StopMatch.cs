namespace EpdCluster.Engine.Text;

/// <summary>
/// What <see cref="StopStringMatcher.Push"/> lets through: <see cref="Text"/> is safe to send now; when
/// <see cref="StopString"/> is set, generation hit it, <see cref="Text"/> ends just before it and nothing
/// after it will ever be emitted.
/// </summary>
public readonly record struct StopMatch(string Text, string? StopString)
{
    public bool Stopped => StopString is not null;
}
