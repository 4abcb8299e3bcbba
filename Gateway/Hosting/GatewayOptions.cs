namespace EpdCluster.Gateway.Hosting;

/// <summary>How the gateway reaches its workers and who may call it. Section <c>Epd:Gateway</c>.</summary>
public sealed class GatewayOptions
{
    public const string SectionName = "Epd:Gateway";

    /// <summary>
    /// True (all-in-one): the gateway hosts one worker with every role in its own process.
    /// False: the gateway is an Orleans client of separate worker processes (<c>./epd up</c>).
    /// </summary>
    public bool EmbeddedWorker { get; set; } = true;

    /// <summary>
    /// Keys accepted in <c>Authorization: Bearer KEY</c> on <c>/v1</c> (default none: the API is open, as a
    /// loopback-only development server). Set them as <c>Epd:Gateway:ApiKeys:0</c>, <c>:1</c>, ...
    /// </summary>
    public string[] ApiKeys { get; set; } = [];

    /// <summary>Throws <see cref="InvalidOperationException"/> naming the bad setting.</summary>
    public void Validate()
    {
        for (var i = 0; i < ApiKeys.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(ApiKeys[i]))
            {
                throw new InvalidOperationException($"{SectionName}:ApiKeys:{i} must not be empty.");
            }
        }
    }
}
