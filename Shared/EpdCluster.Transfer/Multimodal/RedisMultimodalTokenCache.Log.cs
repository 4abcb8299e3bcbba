using Microsoft.Extensions.Logging;

namespace EpdCluster.Transfer.Multimodal;

public sealed partial class RedisMultimodalTokenCache
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Multimodal cache value {Key} tile {TileIndex} is damaged and was removed: {Problem}")]
    private static partial void LogCorruptTile(ILogger logger, string key, int tileIndex, string problem);
}
