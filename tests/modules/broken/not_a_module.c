/*
 * not_a_module.c - notmodule.so: a valid shared object that is not a
 * dblite module (it exports neither the API version nor the entry point),
 * for the loader's "is not a dblite module" error.
 */
__attribute__((visibility("default"))) int not_a_module_answer(void)
{
    return 42;
}
