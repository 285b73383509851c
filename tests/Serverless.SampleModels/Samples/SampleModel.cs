using Serverless.SampleModels.Training;

namespace Serverless.SampleModels.Samples;

/// <summary>One model of the sample repository: its data, architecture and training schedule, all seeded.</summary>
internal sealed record SampleModel(
    string Name,
    string Description,
    int Seed,
    Func<Random, Dataset> Generate,
    int[] HiddenWidths,
    OutputActivation Activation,
    int Epochs,
    double LearningRate)
{
    public TrainedSample Train()
    {
        // One generator for data and initial weights: the seed alone fixes every byte of the result.
        var random = new Random(Seed);
        var data = Generate(random);
        var network = DenseNetwork.CreateRandom([data.Inputs, .. HiddenWidths, data.Outputs], Activation, random);
        var losses = network.Train(data, Epochs, (float)LearningRate);
        return new TrainedSample(this, data, network, losses);
    }
}
