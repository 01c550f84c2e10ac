def f(x):
	return x ** 2  # square


print(f(12345678))
