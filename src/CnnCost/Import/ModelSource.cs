using CnnCost.Zoo;

namespace CnnCost.Import;

/// <summary>Finds a model by what a user types: a built-in name, or a path to a <c>.prototxt</c> or <c>.onnx</c> file.</summary>
public static class ModelSource
{
    /// <summary>Loads a zoo network or imports a file.</summary>
    /// <param name="nameOrPath">A zoo name (<c>nin</c>) or a file path (<c>deploy.prototxt</c>, <c>model.onnx</c>).</param>
    /// <param name="onnxOptions">What the ONNX importer does with unsupported operators.</param>
    /// <param name="caffeOptions">What the Caffe importer does with unsupported layer types.</param>
    /// <returns>The model; a zoo network has no file batch and no notes.</returns>
    /// <exception cref="CnnCostException">Neither a zoo name nor a readable model file; <see cref="ModelFormatException"/> for a bad file.</exception>
    public static ImportedModel Load(string nameOrPath, OnnxImportOptions? onnxOptions = null, CaffeImportOptions? caffeOptions = null)
    {
        ArgumentNullException.ThrowIfNull(nameOrPath);
        // Stryker disable once Block : a fast path only: no zoo name has a model file's extension, so without a file of that name the code below creates the same zoo network
        if (ModelZoo.Contains(nameOrPath) && !File.Exists(nameOrPath))
        {
            return new ImportedModel(ModelZoo.Create(nameOrPath), null, []);
        }

        var extension = Path.GetExtension(nameOrPath).ToLowerInvariant();
        if (extension is ".prototxt" or ".pbtxt" or ".txt")
        {
            return CaffeImporter.Read(nameOrPath, caffeOptions);
        }

        if (extension == ".onnx")
        {
            return OnnxImporter.Read(nameOrPath, onnxOptions);
        }

        if (File.Exists(nameOrPath))
        {
            throw new CnnCostException($"{nameOrPath}: unknown model file type '{extension}': CnnCost reads .prototxt and .onnx");
        }

        return new ImportedModel(ModelZoo.Create(nameOrPath), null, []);
    }
}
