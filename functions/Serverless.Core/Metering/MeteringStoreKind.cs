namespace Serverless.Core.Metering;

/// <summary>Where usage records, callers and keys are kept (Metering:Store).</summary>
public enum MeteringStoreKind
{
    /// <summary>Table storage when the function app's storage (AzureWebJobsStorage) is configured, else SQLite.</summary>
    Auto,

    /// <summary>Table storage in the AzureWebJobsStorage account, tables named after Metering:TablePrefix.</summary>
    Table,

    /// <summary>SQLite at &lt;Storage:DataDirectory&gt;/usage.db.</summary>
    Sqlite,
}
