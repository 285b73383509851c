namespace Serverless.SampleModels.Verification;

/// <summary>What the C# forward pass says an output must be; <see cref="Values"/> is a float[] or long[].</summary>
internal sealed record ExpectedOutput(string Name, long[] Shape, Array Values);
