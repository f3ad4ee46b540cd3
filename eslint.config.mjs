// typescript-eslint's recommended + type-checked rules over every TypeScript file the project compiles.
import eslint from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/", "bin/", "out/", ".engine/", ".cluster/", "**/*.js", "**/*.mjs"] },
    eslint.configs.recommended,
    tseslint.configs.recommendedTypeChecked,
    {
        languageOptions: {
            parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
        },
    },
);
