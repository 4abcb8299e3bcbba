namespace EpdCluster.Engine.Serving;

/// <summary>Work that runs on an <see cref="InferenceThread"/>, one step at a time.</summary>
public interface IInferenceStage
{
    /// <summary>Runs one step if there is work; returns false when idle. Called only on the inference thread.</summary>
    bool RunStep();

    /// <summary>Fails everything pending when the thread stops. Called only on the inference thread.</summary>
    void Shutdown();
}
