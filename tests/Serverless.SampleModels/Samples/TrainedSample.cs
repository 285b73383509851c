using Serverless.SampleModels.Repository;
using Serverless.SampleModels.Training;

namespace Serverless.SampleModels.Samples;

/// <summary>A sample after training, with the loss before each epoch and the final loss last.</summary>
internal sealed record TrainedSample(SampleModel Sample, Dataset Data, DenseNetwork Network, double[] Losses)
{
    public TrainingSummary Summarize()
    {
        var predictions = Network.Predict(Data.Features, Data.Rows);
        var regression = Network.Activation == OutputActivation.Identity;
        return new TrainingSummary(
            Sample.Seed,
            Data.Rows,
            Sample.Epochs,
            Sample.LearningRate,
            Network.Activation switch
            {
                OutputActivation.Identity => "mean squared error",
                OutputActivation.Sigmoid => "binary cross-entropy",
                _ => "categorical cross-entropy",
            },
            Math.Round(Losses[^1], 6),
            regression ? null : Math.Round(Data.Accuracy(predictions), 4),
            regression ? Math.Round(Data.RSquared(predictions), 4) : null);
    }
}
