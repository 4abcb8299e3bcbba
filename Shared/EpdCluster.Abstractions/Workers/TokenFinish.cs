namespace EpdCluster.Abstractions.Workers;

/// <summary>Finish reason carried with a token between stages.</summary>
[GenerateSerializer, Alias("epd.TokenFinish")]
public enum TokenFinish
{
    None = 0,
    Stop = 1,
    Length = 2,
    Abort = 3,
}
