using Serverless.LoadGenerator;

// load  --url http://127.0.0.1:7071 --path /v2/models/iris-mlp/infer --body request.json --clients 32 --seconds 5
//       [--warmup-seconds 2] [--header-length N] [--stats-model iris-mlp]   -> one JSON line on stdout
// floor --urls http://127.0.0.1:7072                                        -> the bare app, until killed
return args.FirstOrDefault() switch
{
    "load" => await ClosedLoop.RunAsync(new LoadSettings(args[1..])),
    "floor" => await BareApp.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Serverless.LoadGenerator load --url U --path P --body FILE [--clients N] [--seconds S] [--warmup-seconds W] [--header-length L] [--stats-model M] | floor --urls U");
    return 2;
}
