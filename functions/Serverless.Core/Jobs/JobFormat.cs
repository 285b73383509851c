namespace Serverless.Core.Jobs;

/// <summary>Row formats of job input and output files.</summary>
public enum JobFormat
{
    Jsonl,
    Csv,
    Parquet,
}
