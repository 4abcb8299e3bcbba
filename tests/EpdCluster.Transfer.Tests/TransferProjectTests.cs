namespace EpdCluster.Transfer.Tests;

public sealed class TransferProjectTests
{
    [Fact]
    public void Transfer_library_does_not_reference_orleans_or_aspnet()
    {
        var references = typeof(EpdCluster.Transfer.TransferAssembly).Assembly.GetReferencedAssemblies().Select(a => a.Name ?? "").ToList();
        Assert.DoesNotContain(references, name => name.StartsWith("Orleans", StringComparison.Ordinal));
        Assert.DoesNotContain(references, name => name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
    }
}
