namespace EpdCluster.Abstractions.Workers;

/// <summary>
/// A generated token streamed from a decode worker to the gateway — or, last in a stream, the marker that the request
/// moved to another decode worker (<see cref="MovedTo"/>), where <c>Resume</c> continues it without a gap.
/// </summary>
[GenerateSerializer, Immutable, Alias("epd.StreamedToken")]
public readonly record struct StreamedToken(
    [property: Id(0)] int TokenId,
    [property: Id(1)] int Index,
    [property: Id(2)] TokenFinish Finish,
    [property: Id(3)] string? MovedTo = null)
{
    /// <summary>The marker ending a stream whose request continues on worker <paramref name="workerId"/>.</summary>
    public static StreamedToken Moved(string workerId) => new(-1, -1, TokenFinish.None, workerId);
}
