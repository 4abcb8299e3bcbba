namespace EpdCluster.Transfer;

/// <summary>Anchor type for this assembly (tests check its dependencies).</summary>
public static class TransferAssembly;
