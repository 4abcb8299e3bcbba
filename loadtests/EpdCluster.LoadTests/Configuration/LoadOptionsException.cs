namespace EpdCluster.LoadTests.Configuration;

/// <summary>A bad option, scenario or input file; the message names the setting and what is accepted.</summary>
internal sealed class LoadOptionsException(string message) : Exception(message);
