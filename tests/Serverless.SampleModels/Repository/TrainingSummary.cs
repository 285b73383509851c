namespace Serverless.SampleModels.Repository;

/// <summary>How a sample model was trained, kept in config.json under "training" (the server ignores it).</summary>
internal sealed record TrainingSummary(
    int Seed,
    int Rows,
    int Epochs,
    double LearningRate,
    string Loss,
    double FinalLoss,
    double? Accuracy,
    double? R2);
