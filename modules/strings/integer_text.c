/*
 * integer_text.c - decimal formatting of 64-bit integers.
 *
 * Digits are produced least significant first into a scratch array and then
 * copied in order; the magnitude is taken as unsigned so LLONG_MIN works.
 */
#include "integer_text.h"

size_t integer_text_format(char buffer[INTEGER_TEXT_SIZE], long long number)
{
    unsigned long long magnitude =
        number < 0 ? 0ULL - (unsigned long long)number : (unsigned long long)number;
    char reversed[INTEGER_TEXT_SIZE];
    size_t digit_count = 0;
    do {
        reversed[digit_count++] = (char)('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude != 0);

    size_t length = 0;
    if (number < 0)
        buffer[length++] = '-';
    while (digit_count > 0)
        buffer[length++] = reversed[--digit_count];
    return length;
}
