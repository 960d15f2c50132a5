#:property PublishAot=false
#:package CnnCost@0.1.0
// The package comes from a NuGet source: README.md, "Install", packs it and adds the folder as a source once.

// Models from files: AlexNet written as a Caffe prototxt and as ONNX, then imported back; the reports agree.
// The same paths work on the command line: cnncost report alexnet.prototxt. Run: dotnet run samples/import-models.cs
using CnnCost.Costs;
using CnnCost.Import;
using CnnCost.Zoo;

var directory = Directory.CreateTempSubdirectory("cnncost-sample-");
var prototxt = Path.Combine(directory.FullName, "alexnet.prototxt");
var onnx = Path.Combine(directory.FullName, "alexnet.onnx");
File.WriteAllText(prototxt, CaffeWriter.Write(AlexNet.Create()));
File.WriteAllBytes(onnx, OnnxWriter.Write(AlexNet.Create()));

foreach (var path in new[] { prototxt, onnx })
{
    var model = ModelSource.Load(path);
    var totals = CostModel.Analyze(model.Network, new AnalysisOptions { Batch = 32 }).Totals;
    Console.WriteLine($"{Path.GetFileName(path),-18} {model.Network.Layers.Length,3} layers, {totals.Parameters:N0} parameters, {totals.Flops / 1e9:0.0} GFLOPs at batch 32");
}

try
{
    CaffeImporter.Parse("layer { name: \"broken\" type: \"Convolution\"", "broken.prototxt");
}
catch (ModelFormatException error)
{
    Console.WriteLine($"a bad file: {error.Message}");
}

directory.Delete(recursive: true);
