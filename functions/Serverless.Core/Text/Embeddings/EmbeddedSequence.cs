namespace Serverless.Core.Text.Embeddings;

/// <summary>One sequence's vector and its share of the compute time of the run it rode in.</summary>
internal readonly record struct EmbeddedSequence(float[] Vector, TimeSpan ComputeTime);
