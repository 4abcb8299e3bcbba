namespace EpdCluster.Abstractions.Workers;

/// <summary>The encode role of one worker (placed on that worker's silo).</summary>
[Alias("epd.IEncoderWorkerGrain")]
public interface IEncoderWorkerGrain : IGrainWithStringKey
{
    /// <summary>Encodes the tiles and writes them to the multimodal token cache; returns how many tiles it encoded.</summary>
    [Alias("EncodeTiles")]
    Task<int> EncodeTiles(EncodeTilesCommand command);
}
