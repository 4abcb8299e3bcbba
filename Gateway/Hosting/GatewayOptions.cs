namespace EpdCluster.Gateway.Hosting;

/// <summary>How the gateway reaches its workers. Section <c>Epd:Gateway</c>.</summary>
public sealed class GatewayOptions
{
    public const string SectionName = "Epd:Gateway";

    /// <summary>
    /// True (all-in-one): the gateway hosts one worker with every role in its own process.
    /// False: the gateway is an Orleans client of separate worker processes (<c>./epd up</c>).
    /// </summary>
    public bool EmbeddedWorker { get; set; } = true;
}
