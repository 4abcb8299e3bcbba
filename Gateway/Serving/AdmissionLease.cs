namespace EpdCluster.Gateway.Serving;

/// <summary>A running slot of <see cref="AdmissionController"/>; disposing it (once or more) frees the slot once.</summary>
internal sealed class AdmissionLease(AdmissionController owner) : IDisposable
{
    private int _released;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            owner.Release();
        }
    }
}
