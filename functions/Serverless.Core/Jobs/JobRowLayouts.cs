using Serverless.Core.Cache;
using Serverless.Core.Jobs.Formats;

namespace Serverless.Core.Jobs;

/// <summary>The row layout of a job over the model it leased: the planner checks it, each shard scores by it.</summary>
public static class JobRowLayouts
{
    /// <param name="columns">The input's columns for CSV and Parquet; empty for JSONL.</param>
    public static RowLayout For(ModelLease lease, JobRequest request, string[] columns, int defaultBatchSize) => lease.Model.Kind switch
    {
        ModelKind.Embedding => EmbeddingRowLayout.Create(request, columns, defaultBatchSize, lease.Embedding.Info.Dimensions),
        ModelKind.Generative => throw new InvalidJobException($"model '{request.Model}' is a generative model; jobs run tensor models and embedding models"),
        _ => RowLayout.Create(lease.Graph.Session, lease.Graph.Config.MaxBatchSize, request, columns, defaultBatchSize),
    };
}
