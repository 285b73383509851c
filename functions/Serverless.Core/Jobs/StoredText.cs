namespace Serverless.Core.Jobs;

/// <summary>Text a job record keeps that a caller or a queue message chose (errors, echoed fields): cut, so a record stays small.</summary>
public static class StoredText
{
    /// <summary>Longest error or echoed field a job record keeps, in characters; longer ones end in "...".</summary>
    public const int MaxLength = PoisonedShard.MaxReasonLength;

    public static string Cut(string text, int max = MaxLength) => text.Length <= max ? text : text[..max] + "...";
}
