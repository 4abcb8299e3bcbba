namespace EpdCluster.Abstractions.Workers;

/// <summary>The first token; <see cref="Finished"/> when it already ended the request (then nothing goes to decode).</summary>
[GenerateSerializer, Immutable, Alias("epd.PrefillResult")]
public sealed record PrefillResult(
    [property: Id(0)] int FirstToken,
    [property: Id(1)] TokenFinish Finish,
    [property: Id(2)] int CachedImageTiles)
{
    public bool Finished => Finish != TokenFinish.None;
}
