namespace EpdCluster.LoadTests.Configuration;

/// <summary>How progress is shown while a step runs.</summary>
internal enum ProgressMode
{
    /// <summary>Live bars on an interactive terminal, plain lines otherwise.</summary>
    Auto,
    Live,
    Plain,
    None,
}
